using System.Text;
using System.Text.Json;

namespace Orchestrator.Tests.Fakes;

public sealed class OpenApiValidatorTests
{
    private static readonly OpenApiValidator GitHub = new(OpenApiDocument.GitHub());
    private static readonly OpenApiValidator Discord = new(OpenApiDocument.Discord());

    private static readonly KeyValuePair<string, string>[] NoQuery = [];

    [Fact]
    public void The_description_is_loaded_once_per_file()
    {
        Assert.Same(OpenApiDocument.GitHub(), OpenApiDocument.Load(Infrastructure.TestTools.GitHubOpenApi));
        Assert.True(OpenApiDocument.GitHub().IsOpenApi30);
        Assert.False(OpenApiDocument.Discord().IsOpenApi30);
        Assert.Equal("/api/v10", OpenApiDocument.Discord().BasePath);
    }

    [Fact]
    public void A_valid_request_passes()
    {
        var check = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/comments", NoQuery, "application/json", Json("""{"body":"Done"}"""));

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        Assert.Equal("issues/create-comment", check.Operation!.OperationId);
        Assert.Equal("7", check.PathValues["issue_number"]);
    }

    [Fact]
    public void A_field_of_the_wrong_type_fails()
    {
        var check = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/comments", NoQuery, "application/json", Json("""{"body":42}"""));

        var error = Assert.Single(check.Errors);
        Assert.Contains("$.body: expected string but found integer 42", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_field_fails()
    {
        var check = GitHub.CheckRequest("POST", "/repos/acme/app/actions/workflows/deliver.yml/dispatches", NoQuery, "application/json", Json("""{"inputs":{"id":"1"}}"""));

        Assert.Contains(check.Errors, e => e.Contains("required property 'ref' is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_required_body_fails()
    {
        var check = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/comments", NoQuery, null, ReadOnlyMemory<byte>.Empty);

        Assert.Contains(check.Errors, e => e.Contains("requires a request body", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_path_fails()
    {
        var check = GitHub.CheckRequest("GET", "/repos/acme/app/tickets", NoQuery, null, ReadOnlyMemory<byte>.Empty);

        Assert.Null(check.Operation);
        Assert.Contains("no path template of the description matches /repos/acme/app/tickets", Assert.Single(check.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_method_fails()
    {
        var check = GitHub.CheckRequest("DELETE", "/repos/acme/app/issues/7", NoQuery, null, ReadOnlyMemory<byte>.Empty);

        Assert.Null(check.Operation);
        Assert.Contains("DELETE is not an operation of /repos/{owner}/{repo}/issues/{issue_number}", Assert.Single(check.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Query_parameters_are_checked_and_unknown_ones_fail()
    {
        KeyValuePair<string, string>[] good = [new("labels", "ready"), new("state", "open"), new("per_page", "100"), new("page", "2")];
        KeyValuePair<string, string>[] bad = [new("label", "ready"), new("state", "opened"), new("per_page", "many")];

        var valid = GitHub.CheckRequest("GET", "/repos/acme/app/issues", good, null, ReadOnlyMemory<byte>.Empty);
        var invalid = GitHub.CheckRequest("GET", "/repos/acme/app/issues", bad, null, ReadOnlyMemory<byte>.Empty);

        Assert.True(valid.IsValid, string.Join("; ", valid.Errors));
        Assert.Contains(invalid.Errors, e => e.Contains("query parameter 'label' is not a parameter", StringComparison.Ordinal));
        Assert.Contains(invalid.Errors, e => e.Contains("query parameter 'state'", StringComparison.Ordinal) && e.Contains("is not one of", StringComparison.Ordinal));
        Assert.Contains(invalid.Errors, e => e.Contains("query parameter 'per_page'", StringComparison.Ordinal) && e.Contains("expected integer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(">=2026-11-25T09:00:00Z", true)]
    [InlineData("2026-11-24..2026-11-25", true)]
    [InlineData("2026-11-25T09:00:00Z", true)]
    [InlineData(">=yesterday", false)]
    [InlineData("recently", false)]
    public void A_date_time_query_parameter_takes_GitHubs_range_syntax_with_checked_bounds(string created, bool valid)
    {
        var check = GitHub.CheckRequest("GET", "/repos/acme/app/actions/workflows/deliver.yml/runs", [new("created", created)], null, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(valid, check.IsValid);
    }

    [Fact]
    public void An_undocumented_error_status_must_fit_the_generic_error_schema_when_one_is_set()
    {
        var dispatch = OpenApiDocument.GitHub().Operation("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches")!;
        var lenient = new OpenApiValidator(OpenApiDocument.GitHub()) { GenericErrorSchema = "#/components/schemas/basic-error" };

        Assert.Empty(lenient.CheckResponse(dispatch, 422, "application/json", Json("""{"message":"Unexpected inputs provided","documentation_url":"https://docs.github.com/rest"}""")));
        Assert.NotEmpty(lenient.CheckResponse(dispatch, 422, "application/json", Json("""{"message":42}""")));
        Assert.NotEmpty(GitHub.CheckResponse(dispatch, 422, "application/json", Json("""{"message":"Unexpected inputs provided"}""")));
    }

    [Fact]
    public void Path_parameters_are_checked_against_their_schemas()
    {
        var check = Discord.CheckRequest("GET", "/api/v10/channels/general/messages", NoQuery, null, ReadOnlyMemory<byte>.Empty);

        Assert.Contains(check.Errors, e => e.Contains("path parameter 'channel_id'", StringComparison.Ordinal) && e.Contains("does not match pattern", StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_segment_is_preferred_over_a_parameter()
    {
        var check = Discord.CheckRequest("PATCH", "/api/v10/webhooks/1100000000000000001/tok/messages/@original", NoQuery, "application/json", Json("""{"content":"hi"}"""));

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        Assert.Equal("update_original_webhook_message", check.Operation!.OperationId);
    }

    [Fact]
    public void OpenApi_3_1_type_arrays_admit_null_and_still_check_the_type()
    {
        var withNull = Discord.CheckRequest("POST", "/api/v10/channels/1/messages", NoQuery, "application/json", Json("""{"content":null,"embeds":[{"title":"Plan"}]}"""));
        var wrongType = Discord.CheckRequest("POST", "/api/v10/channels/1/messages", NoQuery, "application/json", Json("""{"content":5}"""));
        var tooLong = Discord.CheckRequest("POST", "/api/v10/channels/1/messages", NoQuery, "application/json", Json($$"""{"content":"{{new string('x', 4001)}}"}"""));

        Assert.True(withNull.IsValid, string.Join("; ", withNull.Errors));
        Assert.Contains(wrongType.Errors, e => e.Contains("$.content: expected string or null but found integer 5", StringComparison.Ordinal));
        Assert.Contains(tooLong.Errors, e => e.Contains("above maxLength 4000", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenApi_3_0_nullable_admits_null_only_where_declared()
    {
        var issue = Schema(GitHub, "#/components/schemas/issue");
        var example = Example(GitHub, "issue");

        var withNullBody = CheckPatched(issue, example, "body", "null");
        var withNullTitle = CheckPatched(issue, example, "title", "null");

        Assert.Empty(GitHub.CheckValue(issue, example));
        Assert.Empty(withNullBody);
        Assert.Contains(withNullTitle, e => e.Contains("$.title: expected string but found null", StringComparison.Ordinal));
    }

    [Fact]
    public void OneOf_needs_exactly_one_matching_branch()
    {
        // GitHub's prose says a bare array of labels works too, but the description lists only the object form.
        var asObject = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/labels", NoQuery, "application/json", Json("""{"labels":["ready",{"name":"bug"}]}"""));
        var asArray = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/labels", NoQuery, "application/json", Json("""["ready","bug"]"""));
        var wrongItem = GitHub.CheckRequest("POST", "/repos/acme/app/issues/7/labels", NoQuery, "application/json", Json("""{"labels":[7]}"""));

        Assert.True(asObject.IsValid, string.Join("; ", asObject.Errors));
        Assert.Contains(asArray.Errors, e => e.Contains("matches none of oneOf", StringComparison.Ordinal));
        Assert.Contains(wrongItem.Errors, e => e.Contains("$.labels[0]: matches none of oneOf's 2 schemas", StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_keywords_without_an_operation_are_checked_too()
    {
        using var schema = JsonDocument.Parse("""
            {
              "type": "object",
              "required": ["id"],
              "additionalProperties": false,
              "properties": {
                "id": { "type": "integer", "minimum": 1 },
                "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2, "uniqueItems": true },
                "kind": { "enum": ["a", "b"] },
                "either": { "anyOf": [ { "type": "string" }, { "type": "boolean" } ] },
                "at": { "type": "string", "format": "date-time" },
                "pair": { "allOf": [ { "required": ["x"] }, { "required": ["y"] } ] }
              }
            }
            """);
        using var good = JsonDocument.Parse("""{"id":1,"tags":["x"],"kind":"a","either":true,"at":"2026-11-25T09:00:00Z","pair":{"x":1,"y":2}}""");
        using var bad = JsonDocument.Parse("""{"id":0,"tags":["x","x","y"],"kind":"c","either":1,"at":"yesterday","pair":{"x":1},"extra":true}""");

        var errors = GitHub.CheckValue(schema.RootElement, bad.RootElement);

        Assert.Empty(GitHub.CheckValue(schema.RootElement, good.RootElement));
        Assert.Contains(errors, e => e.Contains("$.id: 0 is below the minimum 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.tags: 3 items, more than maxItems 2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("uniqueItems", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.kind: \"c\" is not one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.either: matches none of anyOf", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.at: 'yesterday' is not a valid date-time", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.pair: required property 'y' is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("property 'extra' is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_response_with_an_undocumented_status_or_wrong_shape_fails()
    {
        var operation = OpenApiDocument.GitHub().Operation("GET", "/repos/{owner}/{repo}/issues/{issue_number}")!;

        var undocumented = GitHub.CheckResponse(operation, 418, "application/json", Json("""{"message":"teapot"}"""));
        var wrongShape = GitHub.CheckResponse(operation, 200, "application/json", Json("""{"number":"seven"}"""));
        var bodyOn204 = GitHub.CheckResponse(OpenApiDocument.GitHub().Operation("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches")!, 204, "application/json", Json("{}"));

        Assert.Contains("status 418 is not documented", Assert.Single(undocumented), StringComparison.Ordinal);
        Assert.Contains(wrongShape, e => e.Contains("response body $.number: expected integer", StringComparison.Ordinal));
        Assert.Contains(wrongShape, e => e.Contains("required property 'title' is missing", StringComparison.Ordinal));
        Assert.Contains("has no content", Assert.Single(bodyOn204), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("issue", "#/components/schemas/issue")]
    [InlineData("issue-comment", "#/components/schemas/issue-comment")]
    [InlineData("workflow-run", "#/components/schemas/workflow-run")]
    [InlineData("installation", "#/components/schemas/installation")]
    [InlineData("installation-token", "#/components/schemas/installation-token")]
    public void The_GitHub_examples_the_fake_starts_from_fit_their_schemas(string example, string schema)
    {
        Assert.Empty(GitHub.CheckValue(Schema(GitHub, schema), Example(GitHub, example)));
    }

    [Fact]
    public void A_GitHub_example_that_does_not_fit_its_own_schema_is_caught()
    {
        // The pull-request example's requested_teams lack the required "type"; the fake patches them away.
        var errors = GitHub.CheckValue(Schema(GitHub, "#/components/schemas/pull-request"), Example(GitHub, "pull-request"));

        Assert.Contains(errors, e => e.Contains("$.requested_teams[0]: required property 'type' is missing", StringComparison.Ordinal));
    }

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    private static JsonElement Schema(OpenApiValidator validator, string reference) => validator.Document.ResolveReference(reference);

    private static JsonElement Example(OpenApiValidator validator, string name) => validator.Document.ResolveReference($"#/components/examples/{name}/value");

    private static IReadOnlyList<string> CheckPatched(JsonElement schema, JsonElement example, string property, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(example.GetRawText())!.AsObject();
        node[property] = System.Text.Json.Nodes.JsonNode.Parse(json);
        using var patched = JsonDocument.Parse(node.ToJsonString());
        return GitHub.CheckValue(schema, patched.RootElement.Clone());
    }
}
