using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    /// <summary>An approval gate: what the approver is asked, and how long the gate stays open (at most 30 days).</summary>
    private void CheckApproval(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } approval)
        {
            return;
        }

        Keys(approval, path, "approval", "message", "timeoutSeconds");
        if (approval["message"] is { } message)
        {
            String(message, $"{path}.message");
        }

        if (approval["timeoutSeconds"] is ScalarNode timeout && timeout.TryGetDouble(out var seconds) && seconds is <= 0 or > 30 * 86400)
        {
            bag.Add(timeout, $"{path}.timeoutSeconds", "approval.timeoutSeconds must be in (0, 2592000] (30 days)", "0 < timeoutSeconds <= 2592000", timeout.Text);
        }
        else if (approval["timeoutSeconds"] is { } other)
        {
            Number(other, $"{path}.timeoutSeconds", min: 0);
        }
    }
}
