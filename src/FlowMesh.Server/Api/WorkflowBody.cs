using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Client.Models;
using FlowMesh.Workflows;
using Microsoft.AspNetCore.Http;

namespace FlowMesh.Server.Api;

/// <summary>
/// Reads a submitted workflow: YAML or JSON text (text/plain, application/yaml, application/json), the original
/// system's <c>{"yaml": "..."}</c> wrapper, or an n8n export with <c>Workflow-Format: n8n</c>. The optional
/// <c>Workflow-Source</c> header names the file, so errors read <c>file:line:col</c> exactly as <c>flowmesh validate</c>.
/// </summary>
internal static class WorkflowBody
{
    public static async Task<WorkflowDefinition> ParseAsync(HttpContext http, int invalidStatus)
    {
        var (parsed, source) = await ReadAndParseAsync(http).ConfigureAwait(false);
        if (!parsed.Success)
        {
            var errors = Diagnostics(parsed);
            throw new ApiException(invalidStatus, "invalid_workflow", $"{source}: the workflow is invalid ({errors.Count} problem(s)); first: {errors[0].Text}",
                errors[0].Field, errors);
        }

        return parsed.Workflow!;
    }

    public static async Task<(ParseResult Parsed, string Source)> ReadAndParseAsync(HttpContext http)
    {
        var request = http.Request;
        var format = request.Headers["Workflow-Format"].ToString().ToLowerInvariant() switch
        {
            "" or "auto" => WorkflowFormat.Auto,
            "native" or "flowmesh" => WorkflowFormat.FlowMesh,
            "n8n" => WorkflowFormat.N8n,
            var other => throw new ApiException(400, "invalid_format", $"Workflow-Format must be native or n8n, not '{other}'", "Workflow-Format"),
        };
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? string.Empty;
        if (mediaType is not ("" or "text/plain" or "application/yaml" or "application/x-yaml" or "text/yaml" or "application/json"))
        {
            throw new ApiException(415, "unsupported_media_type", $"send the workflow as text/plain, application/yaml or application/json, not {mediaType}", "Content-Type");
        }

        if (format == WorkflowFormat.N8n && mediaType != "application/json")
        {
            throw new ApiException(415, "unsupported_media_type", "an n8n workflow must be sent as application/json", "Content-Type");
        }

        var text = await ReadTextAsync(http).ConfigureAwait(false);
        var json = mediaType == "application/json";
        if (json && format != WorkflowFormat.N8n && Unwrap(text) is { } yaml)
        {
            text = yaml;
            json = false;
        }

        var source = SourceName(request.Headers["Workflow-Source"].ToString(), json ? "request.json" : "request.yaml");
        return (WorkflowParser.Parse(text, source, format), source);
    }

    public static IReadOnlyList<DiagnosticInfo> Diagnostics(ParseResult parsed) =>
        [.. parsed.Diagnostics.Select(d => new DiagnosticInfo(d.File, d.Mark.Line, d.Mark.Column, d.FieldPath, d.Message, d.ToString()))];

    private static async Task<string> ReadTextAsync(HttpContext http)
    {
        var limit = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit is { } max && http.Request.ContentLength > max)
        {
            // The unread body is still on the wire: close the connection so the client does not reuse it mid-body.
            http.Response.Headers.Connection = "close";
            throw new ApiException(413, "payload_too_large", $"the body is {http.Request.ContentLength} bytes; the limit is {max}");
        }

        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ApiException(400, "empty_body", "the request body is empty; send the workflow text", "body");
        }

        return text;
    }

    /// <summary>The original API accepted <c>{"yaml": "..."}</c>; any other JSON is a workflow document itself.</summary>
    private static string? Unwrap(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject { Count: 1 } o && o["yaml"] is JsonValue v && v.TryGetValue<string>(out var yaml) ? yaml : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string SourceName(string given, string fallback)
    {
        var name = Path.GetFileName(given.Trim());
        return name.Length is > 0 and <= 200 && name.All(c => !char.IsControl(c)) ? name : fallback;
    }
}
