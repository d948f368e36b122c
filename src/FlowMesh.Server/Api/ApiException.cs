using FlowMesh.Client.Models;

namespace FlowMesh.Server.Api;

/// <summary>An error the API answers with as application/problem+json: status, stable code, message and the field at fault.</summary>
internal sealed class ApiException(int status, string code, string message, string? field = null, IReadOnlyList<DiagnosticInfo>? errors = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string? Field { get; } = field;

    public IReadOnlyList<DiagnosticInfo>? Errors { get; } = errors;

    public TimeSpan? RetryAfter { get; init; }

    public static ApiException NotFound(string what, string id) => new(404, $"{what}_not_found", $"no {what} '{id}'", what == "task" ? "task" : $"{what}Id");
}
