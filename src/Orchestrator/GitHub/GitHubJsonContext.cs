using System.Text.Json.Serialization;

namespace Orchestrator.GitHub;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookAnswer))]
[JsonSerializable(typeof(JwtClaims))]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
