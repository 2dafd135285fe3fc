namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>What a pipeline streams back: <see cref="GeneratedTokens"/> events, then one <see cref="GenerationFinished"/>.</summary>
public abstract record GenerationEvent;
