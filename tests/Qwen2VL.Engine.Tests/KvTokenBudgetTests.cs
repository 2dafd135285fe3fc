namespace Qwen2VL.Engine.Tests;

public class KvTokenBudgetTests
{
    [Fact]
    public void TryReserve_BeyondCapacity_Refuses()
    {
        var budget = new KvTokenBudget(100);
        Assert.True(budget.TryReserve(60));
        Assert.False(budget.TryReserve(41));
        Assert.True(budget.TryReserve(40));
        Assert.Equal(1.0, budget.Usage);
    }

    [Fact]
    public void Release_MoreThanReserved_Throws()
    {
        var budget = new KvTokenBudget(10);
        budget.TryReserve(3);
        Assert.Throws<InvalidOperationException>(() => budget.Release(4));
    }
}
