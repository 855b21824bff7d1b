using System.Text;
using DataCluster.Contracts;

namespace DataCluster.Client;

/// <summary>Refuses keys the agent would refuse, before any request is sent.</summary>
internal static class KeyCheck
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong with <paramref name="key"/>.</summary>
    public static void Validate(string key, string parameter = "key")
    {
        ArgumentNullException.ThrowIfNull(key, parameter);
        if (key.Length == 0)
        {
            throw new ArgumentException("The key is empty; every event needs the key of the entity it is about (e.g. a server id).", parameter);
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException("The key has an unpaired surrogate character, so it has no UTF-8 form; keys are hashed and stored as UTF-8.", parameter);
        }

        if (bytes > Limits.KeyBytes.Max)
        {
            throw new ArgumentException($"The key is {bytes} bytes of UTF-8, over the limit of {Limits.KeyBytes.Max}; use a shorter entity id (or a hash of a long one).", parameter);
        }
    }
}
