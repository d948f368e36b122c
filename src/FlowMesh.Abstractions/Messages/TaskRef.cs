using System.Globalization;

namespace FlowMesh.Abstractions;

/// <summary>A task by its workflow and its index in the workflow's task list; <see cref="Key"/> is its task grain's key.</summary>
[GenerateSerializer, Immutable, Alias("fm.TaskRef")]
public readonly record struct TaskRef([property: Id(0)] string WorkflowId, [property: Id(1)] int Index)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{WorkflowId}/{Index}");

    public static TaskRef Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash > 0 && int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? new TaskRef(key[..slash], index)
            : throw new FormatException($"'{key}' is not a task key (WORKFLOW/INDEX)");
    }

    public override string ToString() => Key;
}
