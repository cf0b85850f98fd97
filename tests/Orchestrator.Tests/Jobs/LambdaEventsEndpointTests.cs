using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Jobs;

/// <summary>POST /events as the Lambda Web Adapter calls it on the worker function, through the real pipeline.</summary>
public sealed class LambdaEventsEndpointTests : IDisposable
{
    private readonly WorkerFixture _fixture = new();

    [Fact]
    public async Task A_stream_batch_is_answered_with_its_batch_item_failures()
    {
        // Arrange
        var ok = (await _fixture.Queue.EnqueueAsync(new JobRequest("test.job", "ok", "ok"), TestContext.Current.CancellationToken)).JobId;
        var broken = (await _fixture.Queue.EnqueueAsync(new JobRequest("test.job", "broken", "broken"), TestContext.Current.CancellationToken)).JobId;
        _fixture.Queue.FailClaimsOf.Add(broken);
        var brokenRecord = StreamEvents.Record(StreamEvents.PendingJobImage(broken, _fixture.Clock.GetUtcNow()));
        var body = StreamEvents.Batch(StreamEvents.Record(StreamEvents.PendingJobImage(ok, _fixture.Clock.GetUtcNow())), brokenRecord);

        // Act
        using var response = await PostAsync(body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = new JsonObject { ["batchItemFailures"] = new JsonArray(new JsonObject { ["itemIdentifier"] = StreamEvents.SequenceOf(brokenRecord) }) };
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))));
        Assert.Equal(JobState.Completed, (await _fixture.Queue.GetAsync(ok, TestContext.Current.CancellationToken))!.State);
    }

    [Fact]
    public async Task A_batch_without_failures_answers_an_empty_list()
    {
        using var response = await PostAsync(StreamEvents.Batch());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"batchItemFailures":[]}""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_scheduled_event_runs_a_tick()
    {
        await _fixture.Queue.EnqueueAsync(new JobRequest("test.job", "due", "due"), TestContext.Current.CancellationToken);

        using var response = await PostAsync(StreamEvents.Scheduled(_fixture.Clock.GetUtcNow()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(1, answer["drain"]!["completed"]!.GetValue<int>());
        Assert.Equal(["due"], _fixture.Handler.Ran);
    }

    [Fact]
    public async Task A_tick_during_a_store_outage_answers_503_so_the_invocation_fails()
    {
        _fixture.Queue.FailAllClaims = true;

        using var response = await PostAsync(StreamEvents.Scheduled(_fixture.Clock.GetUtcNow()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task A_job_run_by_a_stream_batch_continues_its_enqueuer_s_trace_and_links_to_the_invocation()
    {
        // Arrange: a job enqueued in a span, as a request or another job would.
        using var spans = new RecordedSpans();
        string jobId;
        ActivityContext enqueuer;
        using (var span = new Activity("enqueuing").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            enqueuer = span.Context;
            jobId = (await _fixture.Queue.EnqueueAsync(new JobRequest("test.job", "traced", "traced"), TestContext.Current.CancellationToken)).JobId;
        }

        // Act
        using var response = await PostAsync(StreamEvents.Batch(StreamEvents.Record(StreamEvents.PendingJobImage(jobId, _fixture.Clock.GetUtcNow()))));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = Assert.Single(spans.All, s => s.OperationName == "job test.job" && RecordedSpans.Tag(s, "job.id") == jobId);
        Assert.Equal(enqueuer.TraceId, job.TraceId);
        Assert.Equal(enqueuer.SpanId, job.ParentSpanId);
        var invocation = Assert.Single(job.Links).Context;
        var request = Assert.Single(spans.All, s => s.TraceId == invocation.TraceId && s.SpanId == invocation.SpanId);
        Assert.Equal(RecordedSpans.AspNetCore, request.Source.Name);
    }

    [Fact]
    public async Task A_job_enqueued_outside_any_span_runs_as_a_child_of_the_tick_that_drains_it()
    {
        // Arrange
        using var spans = new RecordedSpans();
        var jobId = (await _fixture.Queue.EnqueueAsync(new JobRequest("test.job", "untraced", "untraced"), TestContext.Current.CancellationToken)).JobId;

        // Act
        using var response = await PostAsync(StreamEvents.Scheduled(_fixture.Clock.GetUtcNow()));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = Assert.Single(spans.All, s => s.OperationName == "job test.job" && RecordedSpans.Tag(s, "job.id") == jobId);
        var tick = Assert.Single(spans.All, s => s.TraceId == job.TraceId && s.SpanId == job.ParentSpanId);
        Assert.Equal(RecordedSpans.AspNetCore, tick.Source.Name);
        Assert.Empty(job.Links);
    }

    [Theory]
    [InlineData("""{"Records":[{"eventSource":"aws:sqs","messageId":"1","body":"{}"}]}""", "aws:sqs")]
    [InlineData("""{"source":"aws.events","detail-type":"EC2 Instance State-change Notification","detail":{}}""", "EventBridge scheduled event")]
    [InlineData("""{"hello":"world"}""", "DynamoDB Streams batch")]
    [InlineData("""[1,2,3]""", "not a JSON object")]
    [InlineData("""not json""", "not JSON")]
    [InlineData("""{"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{}}]}""", "SequenceNumber")]
    public async Task An_unknown_event_is_refused_with_400_and_a_reason(string body, string reason)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("Unknown event", problem["title"]!.GetValue<string>());
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_events_path_does_not_exist_unless_enabled()
    {
        using var fixture = new WorkerFixture(eventsEnabled: false);
        using var client = fixture.CreateClient();
        using var content = new StringContent(StreamEvents.Batch(), Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/events", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public void Dispose() => _fixture.Dispose();

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        using var client = _fixture.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.PostAsync(new JobOptions().EventsPath, content, TestContext.Current.CancellationToken);
    }

    /// <summary>The app configured as the worker function, on an in-memory queue that can be made to fail.</summary>
    private sealed class WorkerFixture(bool eventsEnabled = true) : AppFixture(new Dictionary<string, string?>
    {
        ["Orchestrator:Worker:EventsEnabled"] = eventsEnabled ? "true" : "false",
    })
    {
        public FaultyJobQueue Queue => Services.GetRequiredService<FaultyJobQueue>();

        public ScriptedHandler Handler { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton(sp => new FaultyJobQueue(sp.GetRequiredService<TimeProvider>()));
                services.RemoveAll<IStoreBackend>();
                services.AddSingleton<IStoreBackend>(sp => new QueueOnlyBackend(sp.GetRequiredService<FaultyJobQueue>()));
                services.AddSingleton<IJobHandler>(Handler);
                services.RemoveAll<QueueMetrics>();
                services.AddSingleton(sp => new QueueMetrics(sp.GetRequiredService<IOptions<MetricsOptions>>(), sp.GetRequiredService<TimeProvider>(), TextWriter.Null));
            });
        }
    }

    private sealed class QueueOnlyBackend(IJobQueue jobs) : IStoreBackend, IStoreAdmin
    {
        public IJobQueue Jobs => jobs;

        public IStoreAdmin Admin => this;

        public IWebhookInbox Inbox { get; } = Unsupported<IWebhookInbox>();

        public IRunStore Runs { get; } = Unsupported<IRunStore>();

        public IEffectLedger Effects { get; } = Unsupported<IEffectLedger>();

        public IAuditLog Audit { get; } = Unsupported<IAuditLog>();

        public IOperatorStore Operator { get; } = Unsupported<IOperatorStore>();

        public IXmlRepository? DataProtectionKeys => null;

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public string Location => "the test's job queue";

        public Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

        // Handlers take these stores in their constructors; the events tests never call them.
        private static T Unsupported<T>()
            where T : class => DispatchProxy.Create<T, UnsupportedProxy>();
    }

    public class UnsupportedProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new NotSupportedException($"{targetMethod?.Name} is not part of this test.");
    }
}
