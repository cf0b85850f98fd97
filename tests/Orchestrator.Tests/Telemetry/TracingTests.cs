using System.Diagnostics;
using Orchestrator.Storage;
using Orchestrator.Telemetry;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// A request's trace follows it into the jobs it enqueues, the jobs those enqueue, and their GitHub and Discord
/// calls. The listener is process-wide and other tests run alongside, so each test finds its spans by its own ids.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_webhook_delivery_s_job_continues_the_trace_of_the_request_that_delivered_it()
    {
        // Arrange
        using var spans = new RecordedSpans();
        using var app = new AppFixture();
        using var client = app.CreateClient();
        var delivery = Guid.NewGuid().ToString();

        // Act
        using var response = await client.SendAsync(app.GitHubRequest("ping", WebhookExamples.Get("ping").ToJsonString(), delivery), TestContext.Current.CancellationToken);
        await app.DrainJobsAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.True(response.IsSuccessStatusCode);
        var request = Assert.Single(spans.All, s => s.Source.Name == RecordedSpans.AspNetCore && Tag(s, "delivery.id") == delivery);
        var job = Assert.Single(spans.All, s => s.OperationName == "job " + InboxJob.Kind && Tag(s, "delivery.id") == delivery);
        Assert.Equal(OrchestratorTracing.SourceName, job.Source.Name);
        Assert.Equal(request.TraceId, job.TraceId);
        Assert.Equal(request.SpanId, job.ParentSpanId);
        Assert.NotNull(Tag(job, "job.id"));
    }

    [Fact]
    public async Task Commands_jobs_the_jobs_they_enqueue_and_their_calls_share_the_interaction_s_trace_tagged_with_the_run()
    {
        // Arrange
        using var spans = new RecordedSpans();
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.AddReadyIssues();

        // Act: /plan and its plan job, then Approve and the dispatch job, which enqueues the thread's notice.
        var (run, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(run, interaction);

        // Assert: the plan job continues the /plan request's trace, and its GitHub and Discord calls are its children.
        var runId = run.Id.Value;
        var plan = Assert.Single(spans.All, s => s.OperationName == "job " + WorkflowJobs.Plan && Tag(s, "run.id") == runId);
        var planRequest = Assert.Single(spans.All, s => s.SpanId == plan.ParentSpanId && s.TraceId == plan.TraceId);
        Assert.Equal(RecordedSpans.AspNetCore, planRequest.Source.Name);
        Assert.NotNull(Tag(planRequest, "interaction.id"));
        Assert.Equal(runId, Tag(planRequest, "run.id"));
        var calls = spans.All.Where(s => s.Source.Name == RecordedSpans.HttpClient && s.TraceId == plan.TraceId && s.ParentSpanId == plan.SpanId).ToList();
        Assert.Contains(calls, c => Tag(c, "url.full")?.StartsWith(loop.GitHub.BaseAddress.AbsoluteUri, StringComparison.Ordinal) == true);
        Assert.Contains(calls, c => Tag(c, "url.full")?.StartsWith(loop.Discord.BaseAddress.AbsoluteUri, StringComparison.Ordinal) == true);

        // The dispatch job continues the Approve click's trace, and the notice job it enqueued continues the dispatch job's.
        var dispatch = Assert.Single(spans.All, s => s.OperationName == "job " + WorkflowJobs.Dispatch && Tag(s, "run.id") == runId);
        var click = Assert.Single(spans.All, s => s.SpanId == dispatch.ParentSpanId && s.TraceId == dispatch.TraceId);
        Assert.Equal(RecordedSpans.AspNetCore, click.Source.Name);
        Assert.NotNull(Tag(click, "interaction.id"));
        Assert.NotEqual(plan.TraceId, dispatch.TraceId);
        Assert.Contains(spans.All, s => s.OperationName == "job " + WorkflowJobs.Update
            && s.TraceId == dispatch.TraceId && s.ParentSpanId == dispatch.SpanId && Tag(s, "run.id") == runId);
    }

    private static string? Tag(Activity span, string name) => RecordedSpans.Tag(span, name);
}
