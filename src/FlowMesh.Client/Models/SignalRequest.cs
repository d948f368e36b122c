using System.Text.Json.Nodes;

namespace FlowMesh.Client.Models;

/// <summary>A signal to an approval gate.</summary>
/// <param name="Token">The gate's signal token.</param>
/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
/// <param name="By">Who decided (recorded in the task's result and events); defaults to <c>signal</c>.</param>
/// <param name="Data">Anything the approver or the external system attaches; becomes part of the task's result.</param>
public sealed record SignalRequest(string Token, string Decision, string? By = null, JsonNode? Data = null);
