namespace FlowMesh.Runtime.Tests.Support;

/// <summary>redis-server ended before it was ready, most often because its port was taken meanwhile.</summary>
internal sealed class RedisServerExitedException(string message) : Exception(message);
