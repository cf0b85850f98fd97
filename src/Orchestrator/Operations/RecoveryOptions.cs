using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Operations;

/// <summary>Orchestrator:Recovery: how often and how far back missed GitHub deliveries are looked for.</summary>
public sealed class RecoveryOptions
{
    public const string Section = "Orchestrator:Recovery";

    /// <summary>How often the recovery runs (and once after every start); 0 turns automatic recovery off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How far back each automatic run reads the hooks' delivery logs.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Only the repository hooks with this URL (e.g. https://bot.example.com/github/webhooks); empty: Orchestrator:PublicUrl's
    /// /github/webhooks when that is set, else every hook whose URL ends in /github/webhooks.
    /// </summary>
    public string? HookUrl { get; set; }

    /// <summary>Entries read from each hook's delivery log per run (GitHub's page size is at most 100).</summary>
    [Range(1, 100)]
    public int MaxDeliveries { get; set; } = 100;
}
