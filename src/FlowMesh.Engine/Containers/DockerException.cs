namespace FlowMesh.Engine.Containers;

/// <summary>The container engine refused a call; the message carries its own words.</summary>
internal sealed class DockerException(string message, int statusCode = 0) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
