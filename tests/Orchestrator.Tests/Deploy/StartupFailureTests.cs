using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Health;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploy;

/// <summary>Issue 14: an INIT that cannot read its secrets stops at once saying why; /readyz names the parameter to create.</summary>
public sealed class StartupFailureTests
{
    [Fact]
    public async Task An_unreadable_parameter_store_path_stops_the_start_with_one_line_naming_the_path_and_the_cause()
    {
        // Arrange: a Systems Manager endpoint that refuses, as AWS does for a role without ssm:GetParametersByPath.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var ssm = builder.Build();
        ssm.MapPost("/", (HttpContext context) =>
        {
            Assert.Equal("AmazonSSM.GetParametersByPath", context.Request.Headers["X-Amz-Target"].ToString());
            return Results.Text(
                """{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/test/fn is not authorized to perform: ssm:GetParametersByPath"}""",
                "application/x-amz-json-1.1",
                statusCode: 400);
        });
        await ssm.StartAsync(TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServiceProcess.AppPath);
        start.Environment["PORT"] = ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orchestrator__Secrets__ParameterStorePath"] = "/orchestrator/test/";
        start.Environment["Orchestrator__Secrets__ServiceUrl"] = ssm.Urls.Single();
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_REGION"] = "us-east-1";

        // Act
        using var app = Process.Start(start)!;
        var output = app.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = app.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await app.WaitForExitAsync(timeout.Token);

        // Assert
        Assert.Equal(1, app.ExitCode);
        var lines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var message = Assert.Single(lines);
        Assert.StartsWith("error: Cannot read Parameter Store path /orchestrator/test at start-up: ", message, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", message, StringComparison.Ordinal);
        Assert.Contains("not authorized to perform: ssm:GetParametersByPath", message, StringComparison.Ordinal);
        Assert.Empty(await output);
    }

    [Fact]
    public void Readiness_names_the_parameter_to_create_for_each_missing_secret()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Orchestrator:Secrets:ParameterStorePath"] = "/orchestrator/prod/" })
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ConfigurationReport>()
            .AddOptions()
            .Configure<GitHubOptions>(o => o.WebhookSecrets = "s3cret")
            .Configure<DiscordOptions>(_ => { })
            .BuildServiceProvider();

        // Act
        var missing = services.GetRequiredService<ConfigurationReport>().Missing;

        // Assert
        Assert.Contains(missing, m => m.Setting == "Orchestrator:Discord:PublicKey (Parameter Store /orchestrator/prod/Discord/PublicKey)");
        Assert.Contains(missing, m => m.Setting.StartsWith("Orchestrator:Discord:BotToken (Parameter Store /orchestrator/prod/Discord/BotToken) and Orchestrator:Discord:ApplicationId (Parameter Store /orchestrator/prod/Discord/ApplicationId)", StringComparison.Ordinal));
        Assert.DoesNotContain(missing, m => m.Setting.Contains("WebhookSecrets", StringComparison.Ordinal));
    }
}
