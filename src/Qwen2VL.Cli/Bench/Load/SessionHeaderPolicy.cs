using System.ClientModel.Primitives;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Adds <c>X-Session-Id</c> to the OpenAI SDK's requests while <see cref="SessionId"/> is set: the SDK has no option for a
/// custom header on a streaming call. Each worker owns its client and policy and sends one request at a time.
/// </summary>
internal sealed class SessionHeaderPolicy : PipelinePolicy
{
    public const string Header = "X-Session-Id";

    public string? SessionId { get; set; }

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (SessionId is { } id)
        {
            message.Request.Headers.Set(Header, id);
        }
        else
        {
            message.Request.Headers.Remove(Header);
        }
    }
}
