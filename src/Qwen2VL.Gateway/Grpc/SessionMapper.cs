using Google.Protobuf.WellKnownTypes;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>Writes the directory's <see cref="SessionInfo"/> as the API's <see cref="Session"/>.</summary>
public static class SessionMapper
{
    public static Session ToApi(SessionInfo session) => new()
    {
        SessionId = session.SessionId,
        Model = session.Model,
        CreatedAt = Timestamp.FromDateTimeOffset(session.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(session.UpdatedAt),
        SystemPrompt = session.SystemPrompt ?? "",
        DefaultSampling = SamplingMapper.ToApi(session.DefaultSampling),
        TurnCount = session.TurnCount,
        HistoryTokens = session.HistoryTokens,
        History = { session.History.Select(MessageMapper.ToApi) },
    };
}
