namespace FlowMesh.Server.Extensibility;

/// <summary>The roles an API key may carry, from most to least powerful.</summary>
public static class Roles
{
    /// <summary>Everything an operator may do, plus tokens for its tenant (and, in the system tenant, tenants and nodes).</summary>
    public const string Admin = "admin";

    /// <summary>Submits, cancels, retries and stops work.</summary>
    public const string Operator = "operator";

    /// <summary>Reads workflows, tasks, logs, results and nodes.</summary>
    public const string Viewer = "viewer";

    /// <summary>
    /// A node agent's key (system tenant only): it may register a node, heartbeat, take work and report on it, and
    /// nothing else (it ranks below viewer), so a GPU machine never holds a key that can read or change tenants' work.
    /// </summary>
    public const string Node = "node";

    /// <summary>All roles, for validation.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Viewer, Node];

    /// <summary>Rank for comparisons: admin 3, operator 2, viewer 1, anything else (node included) 0.</summary>
    public static int Rank(string role) => role switch
    {
        Admin => 3,
        Operator => 2,
        Viewer => 1,
        _ => 0,
    };
}
