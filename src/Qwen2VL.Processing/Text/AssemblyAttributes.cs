using System.Runtime.CompilerServices;

// The tests check the pre-tokenizer's splits directly; they are invisible through encoding when BPE happens to
// produce the same ids.
[assembly: InternalsVisibleTo("Qwen2VL.Processing.Tests")]
