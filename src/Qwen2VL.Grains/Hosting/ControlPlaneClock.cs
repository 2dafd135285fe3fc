namespace Qwen2VL.Grains.Hosting;

/// <summary>
/// The clock the grains read: a keyed <see cref="TimeProvider"/>, separate from the one Orleans itself uses, so
/// tests can move the grains' time (heartbeat expiry, rate windows) without moving the runtime's timers.
/// </summary>
public static class ControlPlaneClock
{
    /// <summary>The service key of the grains' <see cref="TimeProvider"/>.</summary>
    public const string ServiceKey = "qwen2vl-clock";
}
