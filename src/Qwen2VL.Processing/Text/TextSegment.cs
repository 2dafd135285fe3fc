namespace Qwen2VL.Processing.Text;

/// <summary>A piece of text: a plain run (<see cref="Token"/> null) or one added-token match.</summary>
internal readonly record struct TextSegment(int Offset, int Length, AddedToken? Token);
