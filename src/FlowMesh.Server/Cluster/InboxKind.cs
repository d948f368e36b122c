namespace FlowMesh.Server.Cluster;

/// <summary>The kinds of inbox command.</summary>
internal static class InboxKind
{
    public const string Submit = "submit";
    public const string Cancel = "cancel";
    public const string Retry = "retry";
    public const string Stop = "stop";
    public const string Signal = "signal";
    public const string Cordon = "cordon";
    public const string Register = "register";
    public const string Heartbeat = "heartbeat";
    public const string Report = "report";
    public const string Leave = "leave";
}
