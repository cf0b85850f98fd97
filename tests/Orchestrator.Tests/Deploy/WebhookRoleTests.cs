using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;
using static Orchestrator.Tests.Deploy.SamTemplate;

namespace Orchestrator.Tests.Deploy;

/// <summary>The GitHub function's role: exactly the DynamoDB calls that accepting webhooks and /readyz make.</summary>
public sealed class WebhookRoleTests(DynaliteServer dynalite)
{
    private const string Function = "GitHubFunction";

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void The_github_role_may_store_deliveries_count_redeliveries_and_enqueue_their_jobs_and_nothing_else(string deployment)
    {
        // Arrange
        var template = Deployment(deployment);

        // Act
        var grants = template.DynamoGrants(Function);

        // Assert: no scan, query, delete or job update; the inbox update is the duplicate count on a stored header.
        Assert.Equal(
            new[]
            {
                "dynamodb:BatchWriteItem InboxTable",
                "dynamodb:DescribeTable InboxTable", "dynamodb:DescribeTable JobsTable", "dynamodb:DescribeTable RunsTable",
                "dynamodb:GetItem InboxTable",
                "dynamodb:PutItem InboxTable", "dynamodb:PutItem JobsTable",
                "dynamodb:UpdateItem InboxTable",
            }.Order(),
            grants);
    }

    [Fact]
    public async Task The_github_role_allows_every_call_that_accepting_webhooks_and_readiness_make_and_no_other()
    {
        // Arrange: the store as the GitHub function builds it, recorded.
        var ct = TestContext.Current.CancellationToken;
        var time = TimeProvider.System;
        var options = dynalite.Options();
        await dynalite.CreateStoreAsync(time, options); // creates the tables, unrecorded
        var calls = new ConcurrentBag<(string Operation, string Table, string? Index, string? PartitionKey)>();
        var store = DynamoStore.Create(DashboardTemplateTests.RecordingDynamo.Wrap(DynamoStore.CreateClient(options.DynamoDb), calls), options, time);
        var small = new WebhookDelivery("small", "issues", "opened", 1, time.GetUtcNow(), "{}"u8.ToArray());
        var large = new WebhookDelivery("large", "issues", "opened", 1, time.GetUtcNow(), Encoding.UTF8.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(400_000))));
        var unrouted = new WebhookDelivery("unrouted", "star", "created", 1, time.GetUtcNow(), "{}"u8.ToArray());

        // Act: what WebhookEndpoint asks the inbox (each delivery new, then redelivered), and what /readyz asks.
        foreach (var delivery in new[] { small, large })
        {
            Assert.Equal(AcceptOutcome.Accepted, await store.Inbox.AcceptAsync(delivery, ct));
            Assert.Equal(AcceptOutcome.Duplicate, await store.Inbox.AcceptAsync(delivery, ct));
        }

        Assert.Equal(AcceptOutcome.Accepted, await store.Inbox.StoreWithoutJobAsync(unrouted, ct));
        Assert.Equal(AcceptOutcome.Duplicate, await store.Inbox.StoreWithoutJobAsync(unrouted, ct));
        Assert.True(await store.Admin.IsReachableAsync(ct));

        // Assert: the calls made are exactly the grants, and every duplicate was counted.
        Assert.Equal(Current.DynamoGrants(Function), DashboardTemplateTests.RecordingDynamo.AsGrants(Current, calls, options.DynamoDb.TablePrefix!));
        var listed = await store.Operator.ListDeliveriesAsync(time.GetUtcNow().AddDays(-1), 10, ct);
        Assert.All(listed, d => Assert.Equal(1, d.Duplicates));
    }
}
