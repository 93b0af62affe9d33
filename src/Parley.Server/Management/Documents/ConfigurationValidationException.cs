namespace Parley.Server.Management.Documents;

/// <summary>One problem in a configuration: the field path (<c>topology.nodes[2].listeners.sip</c>), what is wrong, and the fix.</summary>
public sealed record ConfigurationError(string Field, string Problem, string Fix)
{
    public override string ToString() => $"{Field}: {Problem}. Fix: {Fix}.";
}

/// <summary>A change was refused: the whole configuration it would have produced is invalid. Nothing was written.</summary>
public sealed class ConfigurationValidationException(IReadOnlyList<ConfigurationError> errors)
    : Exception(Describe(errors))
{
    public IReadOnlyList<ConfigurationError> Errors { get; } = errors;

    private static string Describe(IReadOnlyList<ConfigurationError> errors)
        => errors.Count == 1
            ? $"Configuration refused: {errors[0]}"
            : $"Configuration refused ({errors.Count} errors):" + string.Concat(errors.Select(e => "\n  " + e));
}
