namespace FlowMesh.Runtime.Storage;

/// <summary>
/// A Redis address that is neither a <c>redis://</c> URL nor a StackExchange.Redis configuration string. The message
/// never repeats a password.
/// </summary>
public sealed class RedisAddressException : FormatException
{
    public RedisAddressException(string message)
        : base(message)
    {
    }

    public RedisAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Code => "redis_address";
}
