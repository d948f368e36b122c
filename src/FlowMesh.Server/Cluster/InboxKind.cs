namespace FlowMesh.Server.Cluster;

/// <summary>The kinds of inbox command.</summary>
internal static class InboxKind
{
    public const string Submit = "submit";
    public const string Cancel = "cancel";
    public const string Retry = "retry";

    /// <summary>Pause or resume a workflow (the command's Cordoned flag says which).</summary>
    public const string Pause = "pause";
    public const string Stop = "stop";
    public const string Signal = "signal";
    public const string Cordon = "cordon";
    public const string Register = "register";
    public const string Heartbeat = "heartbeat";
    public const string Report = "report";
    public const string Leave = "leave";
}
