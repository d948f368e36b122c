using System.Text.Json.Serialization;

namespace FlowMesh.Runtime.Storage;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RedisStoredEvent))]
internal sealed partial class RedisEventJsonContext : JsonSerializerContext;
