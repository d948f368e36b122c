namespace FlowMesh.Client;

/// <summary>How a <see cref="FlowMeshClient"/> reaches its server.</summary>
public sealed class FlowMeshClientOptions
{
    /// <summary>The server, such as <c>http://127.0.0.1:8080</c>. Default: FLOWMESH_SERVER, else http://127.0.0.1:8080.</summary>
    public Uri BaseAddress { get; set; } = new(Environment.GetEnvironmentVariable("FLOWMESH_SERVER") is { Length: > 0 } s ? s : "http://127.0.0.1:8080");

    /// <summary>The API key sent as a bearer token. Default: FLOWMESH_TOKEN.</summary>
    public string? Token { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_TOKEN");

    /// <summary>Wait before reconnecting a dropped event stream; doubles up to 10 s. Default 250 ms.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many reconnects in a row a watch may make before it gives up. Default 20.</summary>
    public int MaxReconnects { get; set; } = 20;

    /// <summary>Timeout of ordinary (non-streaming) requests. Default 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
