using System.IO.Hashing;
using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>
/// Our XXH64 against System.IO.Hashing's <see cref="XxHash64"/> on many random inputs: every
/// length from 0 to 300 (all tail shapes, one to nine 32-byte stripes) and a few long ones, with
/// seed 0 and with other seeds. The official vectors (<see cref="Xxh64Tests"/>) pin both to the
/// specification; this catches what a fixed table could miss.
/// </summary>
public sealed class Xxh64ReferenceTests
{
    [Fact]
    public void Our_XXH64_equals_System_IO_Hashing_on_random_inputs_of_every_length_up_to_300_and_some_long_ones()
    {
        var random = new Random(20_240_611);
        var lengths = Enumerable.Range(0, 301).Concat([1023, 1024, 4097, 65_536]);
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);
            foreach (var seed in new ulong[] { 0, 2_654_435_761, ulong.MaxValue, (ulong)random.NextInt64() })
            {
                Assert.True(
                    KeyHash.Xxh64(data, seed) == XxHash64.HashToUInt64(data, unchecked((long)seed)),
                    $"length {length}, seed {seed}: ours {KeyHash.Xxh64(data, seed):X16}, System.IO.Hashing {XxHash64.HashToUInt64(data, unchecked((long)seed)):X16}");
            }
        }
    }
}
