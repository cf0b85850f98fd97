using System.Xml.Linq;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.DataProtection.Repositories;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// ASP.NET Core Data Protection's key ring in the runs table (pk "dataprotection", sk the key's file name), so that
/// every instance of the service reads the cookies, antiforgery tokens and OAuth state the others wrote: on Lambda
/// each instance would otherwise make a key of its own, and a sign-in would last only as long as the instance that
/// answered it. Keys are stored as Data Protection writes them (unencrypted XML, like its file system default); the
/// table is encrypted at rest, and whoever may read it may already enqueue jobs, which is all the dashboard can do.
/// </summary>
internal sealed class DynamoKeyRing(DynamoClient client, string table) : IXmlRepository
{
    public const string Partition = "dataprotection";

    // Data Protection calls the repository synchronously, rarely (at start and when a key is due), never on a request.
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. client.QueryAllAsync(
                new QueryRequest
                {
                    TableName = table,
                    KeyConditionExpression = "pk = :pk",
                    ExpressionAttributeValues = new() { [":pk"] = S(Partition) },
                    ConsistentRead = true,
                },
                CancellationToken.None)
            .GetAwaiter().GetResult()
            .Select(item => XElement.Parse(item.RequireString("xml")))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = table,
                    Item = new Dictionary<string, AttributeValue>(Key(Partition, friendlyName)) { ["xml"] = S(element.ToString(SaveOptions.DisableFormatting)) },
                },
                CancellationToken.None)
            .GetAwaiter().GetResult();
    }
}
