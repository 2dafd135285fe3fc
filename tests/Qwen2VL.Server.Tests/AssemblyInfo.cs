// Metrics are matched by meter name across the whole process: the embedded server's engine and the telemetry tests'
// engine would add to each other's counts if their collections ran at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
