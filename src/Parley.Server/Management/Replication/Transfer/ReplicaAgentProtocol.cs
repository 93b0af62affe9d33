using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>The replica agent's HTTP surface (docs/design/cms.md "Transfer"), shared by the listener and the file transfer agent.</summary>
public static class ReplicaAgentProtocol
{
    public const string SnapshotPath = "/replication/v1/snapshot";
    public const string StatusPath = "/replication/v1/status";
    public const string SnapshotMediaType = "application/vnd.parley.snapshot";

    /// <summary>Snapshot limit (docs/design/cms.md): the request body may not exceed it.</summary>
    public const long MaxSnapshotBytes = 64L * 1024 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>422 body: why the snapshot was refused.</summary>
public sealed record SnapshotRejectionBody(SnapshotRejection Reason, string Detail);

/// <summary>507 body: event 1034's details.</summary>
public sealed record StoreAccessDeniedBody(string Path, string Account, string MissingPermission);

/// <summary>403 body: why the sender is not accepted.</summary>
public sealed record SenderRefusedBody(string Error, string ExpectedMaster);
