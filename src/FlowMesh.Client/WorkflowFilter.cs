using System.Globalization;
using System.Text;

namespace FlowMesh.Client;

/// <summary>Filters for listing workflows; unset fields do not filter.</summary>
public sealed record WorkflowFilter
{
    /// <summary>Only workflows in this state (Pending, Running, Succeeded, Failed, Cancelled).</summary>
    public string? State { get; init; }

    /// <summary>Only workflows whose name contains this text (case-insensitive).</summary>
    public string? Name { get; init; }

    /// <summary>Only workflows submitted by this key id or user.</summary>
    public string? Submitter { get; init; }

    /// <summary>Only workflows submitted at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only workflows submitted before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Page size (1 to 500). Default: the server's (50).</summary>
    public int? PageSize { get; init; }

    internal string ToQuery(string? cursor)
    {
        var q = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                q.Append(q.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Add("state", State);
        Add("name", Name);
        Add("submitter", Submitter);
        Add("since", Since?.ToString("O", CultureInfo.InvariantCulture));
        Add("until", Until?.ToString("O", CultureInfo.InvariantCulture));
        Add("limit", PageSize?.ToString(CultureInfo.InvariantCulture));
        Add("cursor", cursor);
        return q.ToString();
    }
}
