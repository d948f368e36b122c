namespace FlowMesh.Engine.Store;

/// <summary>A command handed to the cluster's leader by any replica.</summary>
public sealed record InboxRow(long Id, string Kind, string Body);
