namespace FlowMesh.Engine.Runtime;

/// <summary>The per-user data directory: FLOWMESH_DATA_DIR, else $XDG_DATA_HOME/flowmesh, else ~/.local/share/flowmesh.</summary>
public static class DataDirectory
{
    public static string Default()
    {
        if (Environment.GetEnvironmentVariable("FLOWMESH_DATA_DIR") is { Length: > 0 } explicitDir)
        {
            return Path.GetFullPath(explicitDir);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create) : xdg;
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Path.GetTempPath(), "flowmesh-" + Environment.UserName);
        }

        return Path.Combine(root, "flowmesh");
    }

    public static string ResultsOf(string dataDir, string workflowId, string taskName) =>
        Path.Combine(dataDir, "results", workflowId, SafeName(taskName));

    public static string WorkOf(string dataDir, string workflowId, string taskName, int attempt) =>
        Path.Combine(dataDir, "work", workflowId, $"{SafeName(taskName)}.{attempt}");

    /// <summary>Task names are free text (n8n names have spaces); directory names must not escape their parent.</summary>
    public static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "_" : safe;
    }
}
