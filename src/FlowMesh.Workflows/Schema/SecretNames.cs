using System.Text.RegularExpressions;

namespace FlowMesh.Workflows.Schema;

/// <summary>What a tenant secret may be called: the same rule for the API that stores it and the specs that use it.</summary>
public static partial class SecretNames
{
    /// <summary>The rule, in words, for error messages.</summary>
    public const string Rule = "1-128 letters, digits, '.', '_' or '-'";

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex Pattern();
}
