using System.Text.Json;

namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>How protocol messages are written where they are stored rather than sent (the cluster's work queue and inbox).</summary>
public static class ProtocolJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
