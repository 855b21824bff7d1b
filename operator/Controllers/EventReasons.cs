namespace DataCluster.Operator.Controllers;

/// <summary>The reasons of the Events the operator records on a DataCluster (UpperCamelCase, as Events use).</summary>
public static class EventReasons
{
    /// <summary>Warning: one per problem of an invalid spec; nothing else is changed until it is fixed.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>Normal: the spec became valid again after being invalid.</summary>
    public const string SpecValid = "SpecValid";

    /// <summary>Warning: a change the StatefulSet cannot take (its volume claims, selector...) is ignored.</summary>
    public const string ChangeIgnored = "ChangeIgnored";

    /// <summary>Warning: an object with an owned object's name exists and belongs to something else.</summary>
    public const string NameTaken = "NameTaken";

    /// <summary>Normal: the members' StatefulSet was created.</summary>
    public const string Created = "Created";

    /// <summary>Normal: members were added.</summary>
    public const string ScaledUp = "ScaledUp";

    /// <summary>Normal: members are being drained before removal.</summary>
    public const string Draining = "Draining";

    /// <summary>Normal: drained members were removed.</summary>
    public const string ScaledDown = "ScaledDown";

    /// <summary>Warning: a drain made no progress for spec.scaleDown.drainDeadlineSeconds.</summary>
    public const string DrainStalled = "DrainStalled";

    /// <summary>Warning: the assignment ConfigMap cannot be read, so a drain cannot be confirmed.</summary>
    public const string AssignmentUnreadable = "AssignmentUnreadable";

    /// <summary>Normal: every desired member is ready and an assignment is published.</summary>
    public const string Ready = "Ready";

    /// <summary>Warning: the cluster was ready and no longer is.</summary>
    public const string NotReady = "NotReady";

    /// <summary>Warning: fewer members are ready than desired although nothing is in progress.</summary>
    public const string Degraded = "Degraded";

    /// <summary>Normal: the cluster is no longer degraded.</summary>
    public const string Recovered = "Recovered";
}
