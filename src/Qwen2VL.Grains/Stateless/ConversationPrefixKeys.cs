using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Stateless;

/// <summary>
/// Tenant-scoped hashes of a stateless conversation's prefixes: the one place its routing key and its KV cache keys
/// come from. Prefix i hashes the tenant, the model and messages [0, i) (role, tool call id, text, media by kind and
/// content hash and processing options; never sampling, which does not change keys and values). A request keeps its cache under the key of
/// its whole conversation; in the usual chat loop the next request re-sends that conversation, the answer and a new
/// message, so the key of its prefix ending just before that answer names the kept cache. The worker then checks the
/// tokens too, so a key never makes it reuse more than the prompts share.
/// </summary>
internal sealed class ConversationPrefixKeys
{
    private const string Domain = "qwen2vl/stateless-prefix/v1";

    private ConversationPrefixKeys(string affinity, string whole, IReadOnlyList<string> earlier)
    {
        Affinity = affinity;
        Whole = whole;
        Earlier = earlier;
    }

    /// <summary>The hash of the first message (usually the system prompt): a conversation keeps it for its whole life.</summary>
    public string Affinity { get; }

    /// <summary>The cache key of the whole conversation, under which the worker keeps this request's cache.</summary>
    public string Whole { get; }

    /// <summary>Cache keys of the prefixes that end just before an assistant message, longest first.</summary>
    public IReadOnlyList<string> Earlier { get; }

    public static ConversationPrefixKeys For(string tenantId, string modelId, IReadOnlyList<ChatMessage> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (conversation.Count == 0)
        {
            throw new ArgumentException("a conversation needs at least one message", nameof(conversation));
        }

        var hashes = new string[conversation.Count + 1];
        byte[] chain = Hash(null, writer =>
        {
            Write(writer, Domain);
            Write(writer, tenantId);
            Write(writer, modelId);
        });
        for (int i = 0; i < conversation.Count; i++)
        {
            var message = conversation[i];
            chain = Hash(chain, writer => Write(writer, message));
            hashes[i + 1] = Convert.ToHexStringLower(chain)[..32];
        }

        string Key(int length) => $"{tenantId}/prefix/{hashes[length]}";
        var earlier = Enumerable.Range(1, conversation.Count - 1).Reverse()
            .Where(length => conversation[length].Role == ChatRole.Assistant)
            .Select(Key)
            .ToList();
        return new ConversationPrefixKeys(hashes[1], Key(conversation.Count), earlier);
    }

    private static byte[] Hash(byte[]? previous, Action<IncrementalHash> write)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (previous is not null)
        {
            hash.AppendData(previous);
        }

        write(hash);
        return hash.GetHashAndReset();
    }

    private static void Write(IncrementalHash hash, ChatMessage message)
    {
        Write(hash, message.Role.ToString());
        Write(hash, message.ToolCallId ?? "");
        Write(hash, message.Content.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var part in message.Content)
        {
            Write(hash, part.Kind.ToString());
            // The media type is left out: the same bytes encode to the same features whatever the client called them.
            Write(hash, part.IsMedia ? part.Media?.ContentHash ?? "" : part.Text ?? "");
            if (part.Options is { IsEmpty: false } options)
            {
                // The same image at another pixel budget is other vision tokens: another prefix.
                Write(hash, options.ToCanonicalString());
            }
        }
    }

    /// <summary>Length-prefixed, so no two different field sequences hash the same bytes.</summary>
    private static void Write(IncrementalHash hash, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
