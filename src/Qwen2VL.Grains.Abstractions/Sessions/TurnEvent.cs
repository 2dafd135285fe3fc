namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// What a turn streams back: any number of <see cref="TextDelta"/> events, then exactly one
/// <see cref="TurnCompleted"/>. A stream that ends without <see cref="TurnCompleted"/> (an exception) stored nothing.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record TurnEvent;
