using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    /// <summary>
    /// <c>priority</c> (a FlowMesh .NET addition, like the others here; on the root spec it is every task's default):
    /// a whole number in [-100, 100], higher first among its tenant's ready tasks.
    /// </summary>
    private void CheckPriority(SourceNode node, string path) => Range(node, path, -100, 100, integer: true);

    /// <summary><c>nodeSelector</c>: labels (from <c>flowmesh agent --label k=v</c>) a node must carry for the task to run there.</summary>
    private void CheckNodeSelector(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } selector)
        {
            return;
        }

        foreach (var (key, value) in selector.Entries)
        {
            if (value is not ScalarNode { IsNull: false } s || s.Kind is not (ScalarKind.String or ScalarKind.Int or ScalarKind.Bool))
            {
                bag.Add(value, $"{path}.{key.Text}", "a nodeSelector label value must be a string", "a string", value.KindName);
            }
        }
    }
}
