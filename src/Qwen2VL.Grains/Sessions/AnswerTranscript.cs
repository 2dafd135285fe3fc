using System.Text;
using Qwen2VL.Grains.Abstractions.Generation;

namespace Qwen2VL.Grains.Sessions;

/// <summary>
/// The answer of the running turn so far, across pipelines: what the client has already received, and what a
/// replacement pipeline must continue from.
/// </summary>
internal sealed class AnswerTranscript
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _tokenIds = [];

    /// <summary>The answer text so far.</summary>
    public string Text => _text.ToString();

    /// <summary>How many tokens were generated so far.</summary>
    public int TokenCount => _tokenIds.Count;

    /// <summary>Appends what a pipeline generated.</summary>
    public void Append(GeneratedTokens tokens)
    {
        _text.Append(tokens.Text);
        _tokenIds.AddRange(tokens.TokenIds);
    }

    /// <summary>A copy of the token ids, to send as a continuation.</summary>
    public int[] SnapshotTokenIds() => [.. _tokenIds];
}
