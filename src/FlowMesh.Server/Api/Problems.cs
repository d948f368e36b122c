using System.Globalization;
using System.Text.Json;
using FlowMesh.Client.Models;
using Microsoft.AspNetCore.Http;

namespace FlowMesh.Server.Api;

internal static class Problems
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/problem+json";
        if (error.RetryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var problem = new ApiProblem($"https://flowmesh.dev/problems/{error.Code}", Title(error.Status), error.Status, error.Message, error.Code, error.Field, error.Errors);
        await context.Response.WriteAsync(JsonSerializer.Serialize(problem, Json), context.RequestAborted).ConfigureAwait(false);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Unprocessable",
        429 => "Too many requests",
        _ => "Server error",
    };
}
