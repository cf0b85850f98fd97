using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Jobs;

public sealed class JobOptions
{
    public const string Section = "Orchestrator:Worker";

    /// <summary>Run the in-process worker that polls the queue. Off on AWS Lambda, where a trigger drains the queue.</summary>
    public bool Hosted { get; set; } = true;

    /// <summary>Accept the Lambda Web Adapter's pass-through events (DynamoDB Streams, EventBridge) at <see cref="EventsPath"/>.</summary>
    public bool EventsEnabled { get; set; }

    /// <summary>Must match AWS_LWA_PASS_THROUGH_PATH of the adapter.</summary>
    [Required]
    public string EventsPath { get; set; } = "/events";

    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Identifies this process in leases; defaults to host name and process id.</summary>
    public string? WorkerId { get; set; }

    /// <summary>How often the hosted worker runs every <see cref="IPeriodicTask"/> (on Lambda the schedule decides).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PeriodicInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The worker function's timeout (the template sets it from the same value as the function's Timeout).</summary>
    [Range(1, 900)]
    public int FunctionTimeoutSeconds { get; set; } = 120;

    /// <summary>Share of <see cref="FunctionTimeoutSeconds"/> a scheduled tick may spend draining the queue.</summary>
    [Range(0.1, 0.95)]
    public double DrainBudgetFraction { get; set; } = 0.8;

    /// <summary>Largest pass-through event accepted; Lambda's synchronous payload limit is 6 MB.</summary>
    [Range(1024, 8 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 7 * 1024 * 1024;

    public TimeSpan DrainBudget => TimeSpan.FromSeconds(FunctionTimeoutSeconds * DrainBudgetFraction);
}
