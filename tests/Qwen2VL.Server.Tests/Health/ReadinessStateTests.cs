using Qwen2VL.Gateway.Health;
using Qwen2VL.Server.Health;

namespace Qwen2VL.Server.Tests.Health;

public sealed class ReadinessStateTests
{
    [Fact]
    public void Current_NothingSet_IsNotReadyWithModelReason()
    {
        var state = new ReadinessState();

        Assert.False(state.Current.IsReady);
        Assert.Equal("model not loaded", state.Current.Reason);
    }

    [Fact]
    public void Current_GatewayRequirementsWithPipeline_IsReadyWithoutModel()
    {
        var state = new ReadinessState(ReadinessRequirements.CompletePipeline);

        state.SetCompletePipelines(1);

        Assert.True(state.IsReady);
        Assert.False(state.Current.ModelLoaded);
    }

    [Fact]
    public void Current_WorkerRequirementsModelLoaded_IsReadyWithoutPipeline()
    {
        var state = new ReadinessState(ReadinessRequirements.ModelLoaded);

        state.SetModelLoaded();

        Assert.True(state.IsReady);
    }

    [Fact]
    public void Changed_OnlyWhenStatusChanges_RaisedOncePerChange()
    {
        var state = new ReadinessState();
        var seen = new List<ReadinessStatus>();
        state.Changed += (_, status) => seen.Add(status);

        state.SetModelLoaded();
        state.SetModelLoaded();
        state.SetCompletePipelines(1);
        state.SetCompletePipelines(1);

        Assert.Equal(2, seen.Count);
        Assert.False(seen[0].IsReady);
        Assert.True(seen[1].IsReady);
    }

    [Fact]
    public void SetCompletePipelines_Negative_Throws()
    {
        var state = new ReadinessState();

        Assert.Throws<ArgumentOutOfRangeException>(() => state.SetCompletePipelines(-1));
    }
}
