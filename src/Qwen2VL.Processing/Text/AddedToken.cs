namespace Qwen2VL.Processing.Text;

/// <summary>
/// A token added on top of the BPE vocabulary (Hugging Face "added token"): matched as a whole string before
/// pre-tokenization, so its text never goes through BPE.
/// </summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The literal text, e.g. <c>&lt;|im_start|&gt;</c>.</param>
/// <param name="IsSpecial">A control token: matched in text only when the caller allows special tokens, and dropped
/// when decoding with <c>skipSpecialTokens</c>.</param>
/// <param name="LeftStrip">Whitespace just before a match is absorbed into the token.</param>
/// <param name="RightStrip">Whitespace just after a match is absorbed into the token.</param>
/// <param name="SingleWord">The token matches only when not inside a word.</param>
public sealed record AddedToken(int Id, string Content, bool IsSpecial, bool LeftStrip = false, bool RightStrip = false,
    bool SingleWord = false);
