namespace FlowMesh.Abstractions;

/// <summary>Tenant settings a tenant grain refused; nothing was changed.</summary>
[GenerateSerializer, Alias("fm.TenantSettingsException")]
public sealed class TenantSettingsException : ArgumentException
{
    public TenantSettingsException()
    {
    }

    public TenantSettingsException(string message)
        : base(message)
    {
    }

    public TenantSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
