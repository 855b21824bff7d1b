namespace DataCluster.Operator.Api;

// Attributes that carry the OpenAPI schema of the DataCluster resource. The CRD generator
// (DataCluster.Operator.Crd) reads them by reflection at development time; the operator itself
// never looks at them. Defaults are not attributes: the generator takes them from the property
// initializers, so the schema and the code cannot disagree about a default.

/// <summary>What the field means and how to choose its value; shown by <c>kubectl explain</c>. Every API field has one.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>The smallest value the API server accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(long value) : Attribute
{
    public long Value { get; } = value;
}

/// <summary>The largest value the API server accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(long value) : Attribute
{
    public long Value { get; } = value;
}

/// <summary>The shortest string the API server accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinLengthAttribute(long value) : Attribute
{
    public long Value { get; } = value;
}

/// <summary>A regular expression (ECMA 262) string values must match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string expression) : Attribute
{
    public string Expression { get; } = expression;
}

/// <summary>The only values the API server accepts (an OpenAPI enum).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OneOfAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>The field must be present in its object.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute
{
}

/// <summary>
/// The API server keeps the field's content as written instead of pruning what the schema does
/// not declare. Used for embedded Kubernetes types (a PodTemplateSpec, EnvVars) whose full schema
/// would bloat the CRD and tie it to one Kubernetes version. On a list it applies to the items.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PreserveUnknownFieldsAttribute : Attribute
{
}

/// <summary>
/// A Kubernetes quantity ("500m", "1Gi", 2): integer or string on the wire. On a map it applies
/// to the values.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class QuantityAttribute : Attribute
{
    /// <summary>The syntax of resource.Quantity, as the Kubernetes API publishes it.</summary>
    public const string Pattern = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";
}

/// <summary>The field has no schema default even though the property has an initializer.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoDefaultAttribute : Attribute
{
}
