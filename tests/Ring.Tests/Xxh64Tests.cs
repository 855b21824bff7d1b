using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>
/// XXH64 against reference values. Every expected value below comes from outside this
/// repository: the official xxHash C library (Debian bookworm's libxxhash0 0.8.1, called through
/// its XXH64 entry point) and cross-checked with that release's <c>xxhsum -H1</c>. The rows for
/// lengths 0, 1, 4, 14 and 222 equal the xxHash project's own published sanity vectors
/// (XSUM_XXH64_testdata). The input is the xxHash sanity buffer (see <see cref="SanityBuffer"/>).
/// </summary>
public sealed class Xxh64Tests
{
    private const ulong Prime32 = 2654435761UL;

    /// <summary>Length, hash with seed 0, hash with seed PRIME32 (2654435761).</summary>
    public static TheoryData<int, ulong, ulong> Vectors => new()
    {
        { 0, 0xEF46DB3751D8E999UL, 0xAC75FDA2929B17EFUL },
        { 1, 0xE934A84ADB052768UL, 0x5014607643A9B4C3UL },
        { 2, 0x5D48CD60A77E23FFUL, 0x9E93152232D54A39UL },
        { 3, 0xFF7E1959CB50794AUL, 0xAA8584E83660F7D1UL },
        { 4, 0x9136A0DCA57457EEUL, 0xCAAB286BD8E9FDB5UL },
        { 5, 0x9B046FB1397F09A5UL, 0x2AF5249930F984ECUL },
        { 6, 0xC72565B7154268A8UL, 0xCA4C6723580E8EF6UL },
        { 7, 0x6C83909A9F01ED25UL, 0xF98D03B1AD6F9293UL },
        { 8, 0xCDBCF538E71D1348UL, 0xFE0C047A5353CDACUL },
        { 9, 0x554B1AE991EDA6B6UL, 0x7908265248F6D73FUL },
        { 10, 0x5D00E7351392EA84UL, 0x2A8AE16B86CD2F12UL },
        { 11, 0x6345D5746F35DA70UL, 0xEAA08A8C8BE3CCCFUL },
        { 12, 0x0723BF50086EAD9AUL, 0x8252819F4E506951UL },
        { 13, 0xC2E5013E3C40BCF7UL, 0x4DF437A291CB1039UL },
        { 14, 0x8282DCC4994E35C8UL, 0xC3BD6BF63DEB6DF0UL },
        { 15, 0x180719316D622D84UL, 0xD61105C20E91F99FUL },
        { 16, 0x98C90B57FDFCB55CUL, 0xC900AD2D536B607EUL },
        { 17, 0x0D39A2D051A30C2CUL, 0x495CD68A647C7A22UL },
        { 18, 0x33E84A4333B2B2EBUL, 0x2325A30CCA1A66DDUL },
        { 19, 0xE91C6EF31FC08F82UL, 0x06809662799B7D6FUL },
        { 20, 0x5F8C68355769439EUL, 0x97218696C2D29602UL },
        { 21, 0x42B0B8EE353AC461UL, 0x7FC0BB451B83A633UL },
        { 22, 0x65C935C6978098B1UL, 0xC4A0DD14BF835C13UL },
        { 23, 0xD2460ECC840B74DDUL, 0x4B44E8DE7A396773UL },
        { 24, 0xF75A6DEA42DC5BF4UL, 0x8B7C67EB59778E22UL },
        { 25, 0x52FAA43C3F20B994UL, 0xC4FEC92EAC2C3B8AUL },
        { 26, 0x8DB7831EC345F9A3UL, 0x2C2A80BCAD321466UL },
        { 27, 0x88945AA08051FC2DUL, 0x3401AF8EF28FD410UL },
        { 28, 0x64CD9E8C96A9E2DDUL, 0x8160FB8C20B48287UL },
        { 29, 0x8C8F345B634AC2B9UL, 0x5A327C78E4AD6678UL },
        { 30, 0xE2677241D4C46CAFUL, 0xB1B2B51C93AF4866UL },
        { 31, 0x299B39A290E6D783UL, 0xDA673D5FEB5C1D79UL },
        { 32, 0x18B216492BB44B70UL, 0xB3F33BDF93ADE409UL },
        { 33, 0x55C8DC3E578F5B59UL, 0xE92C292F64BC3071UL },
        { 34, 0xD0CE7CBAE371BEB2UL, 0xC509C460280BBB12UL },
        { 35, 0xCB0AA8E2A7A29707UL, 0xECE3515C236504C7UL },
        { 36, 0x0AE67584084DC6A4UL, 0x57C73F9E3A6FC2C6UL },
        { 37, 0x292F5332C92B73CEUL, 0x7762425B2E89DAD3UL },
        { 38, 0x5F398E2A8478BED3UL, 0xE842D306DC53E621UL },
        { 39, 0xB888CAF07592B1B3UL, 0x602E74D43465AC3DUL },
        { 40, 0x23B3810D7D8B1731UL, 0x5A57F246772BC540UL },
        { 41, 0x5342C966C7F3D5F4UL, 0xB213FFB25FEB1CCDUL },
        { 42, 0x77454B74F1DBBF63UL, 0xAED0CE7EA4202741UL },
        { 43, 0x9904C9350F597190UL, 0xA071200735E57A6AUL },
        { 44, 0x24EC2B3D0E442641UL, 0x831B7452E64EB328UL },
        { 45, 0x4EC307EBE0A650A4UL, 0x66BDA694A1FD3023UL },
        { 46, 0x7DD1C5514B2240EFUL, 0xD238E617805EA9BBUL },
        { 47, 0x84A42E167CBD1FEFUL, 0xA474B31A5132A541UL },
        { 48, 0xFD0FEEAC7A939933UL, 0x6FFE2F43A24C2302UL },
        { 49, 0xA91BFF78A7185B66UL, 0xE858B13C918498ECUL },
        { 50, 0xDFFE9F293DDD101DUL, 0x46521A048859CE7AUL },
        { 51, 0x2332585C18D7483AUL, 0x788846B44826A5D1UL },
        { 52, 0x5A0056511F9DD653UL, 0x1C0081F84C6D32DBUL },
        { 53, 0x4426A2F5C8D59469UL, 0x4270188315F2CC31UL },
        { 54, 0x39EAF8893520636AUL, 0xB6D6E8B68C7EF7A2UL },
        { 55, 0xAFEA98CC4E92F7E1UL, 0xE6D5C88B9135E579UL },
        { 56, 0xB7A6414B8D3E2597UL, 0xB6BD2CBFB6A64017UL },
        { 57, 0xF33D64569CD4B1C0UL, 0xB9B235447E24CA28UL },
        { 58, 0x93FA072F0E8FE7CAUL, 0xB8D0D6211B80EA15UL },
        { 59, 0x4F2890576949D6EDUL, 0x11E586B470B7224EUL },
        { 60, 0x3378C44F459C290BUL, 0xA7C18F722446E5C8UL },
        { 61, 0x40D486FDDDAD5CB7UL, 0x980BDE3212E2F025UL },
        { 62, 0x21664C60C551CC87UL, 0x128AC6F704B8A0F7UL },
        { 63, 0xA9EFBE0FA0F3F4E7UL, 0x6C911FADB05B6FC2UL },
        { 64, 0xEF558F8ACAC2B5CDUL, 0xB5EEBA99264CC44FUL },
        { 222, 0xB641AE8CB691C174UL, 0x20CB8AB7AE10C14AUL },
        { 2367, 0xA82418DDEC0EA581UL, 0xA36A93C18052673AUL },    };

    /// <summary>String keys: their UTF-8 bytes, hash with seed 0, and partitions of 16, 256 and 4096.</summary>
    public static TheoryData<string, string, ulong, int, int, int> Keys => new()
    {
        { "", "", 0xEF46DB3751D8E999UL, 14, 239, 3828 },
        { "a", "61", 0xD24EC4F1A98C6E5BUL, 13, 210, 3364 },
        { "abc", "616263", 0x44BC2CF5AD770999UL, 4, 68, 1099 },
        { "server-42", "7365727665722d3432", 0x5BFA3DF1D7A6B3F6UL, 5, 91, 1471 },
        { "k\u00e9y", "6bc3a979", 0x85E1C2DFFFA1C6F3UL, 8, 133, 2142 },
        { "\U0001F600", "f09f9880", 0x9025B8ABAAE87B80UL, 9, 144, 2306 },
        { "order:123456", "6f726465723a313233343536", 0x046BEB4BE6E6FD91UL, 0, 4, 70 },
    };

    /// <summary>
    /// The xxHash sanity buffer: byte i is the top byte of a 64-bit generator that starts at
    /// PRIME32 and is multiplied by PRIME64 (11400714785074694797) after every byte.
    /// </summary>
    public static byte[] SanityBuffer(int length)
    {
        var buffer = new byte[length];
        var generator = Prime32;
        for (var i = 0; i < length; i++)
        {
            buffer[i] = (byte)(generator >> 56);
            generator *= 11400714785074694797UL;
        }

        return buffer;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Xxh64_matches_the_reference_implementation(int length, ulong seedZero, ulong seedPrime32)
    {
        var input = SanityBuffer(length);

        Assert.Equal(seedZero, KeyHash.Xxh64(input));
        Assert.Equal(seedPrime32, KeyHash.Xxh64(input, Prime32));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void String_keys_hash_their_utf8_bytes(string key, string utf8Hex, ulong hash, int of16, int of256, int of4096)
    {
        Assert.Equal(utf8Hex, Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(key)));
        Assert.Equal(hash, KeyHash.HashUtf8(key));
        Assert.Equal(of16, KeyHash.PartitionOf(key, 16));
        Assert.Equal(of256, KeyHash.PartitionOf(key, 256));
        Assert.Equal(of4096, KeyHash.PartitionOf(key, 4096));
        Assert.Equal(of4096, KeyHash.PartitionOf(Convert.FromHexString(utf8Hex), 4096));
    }

    [Fact]
    public void Long_keys_hash_the_same_through_the_pooled_buffer()
    {
        var key = new string('x', 5000) + "\u00e9";
        var bytes = System.Text.Encoding.UTF8.GetBytes(key);

        Assert.Equal(KeyHash.Xxh64(bytes), KeyHash.HashUtf8(key));
    }

    [Fact]
    public void Unpaired_surrogates_hash_as_the_replacement_character()
    {
        Assert.Equal(KeyHash.HashUtf8("a\uFFFDb"), KeyHash.HashUtf8("a\uD800b"));
    }

    [Theory]
    [InlineData(0UL, 7, 0)]
    [InlineData(ulong.MaxValue, 7, 6)]
    [InlineData(0x8000000000000000UL, 2, 1)]
    [InlineData(0x7FFFFFFFFFFFFFFFUL, 2, 0)]
    [InlineData(0x5555555555555556UL, 3, 1)]
    [InlineData(ulong.MaxValue, 1, 0)]
    public void ToPartition_takes_the_high_half_of_the_128_bit_product(ulong hash, int partitions, int expected)
    {
        Assert.Equal(expected, KeyHash.ToPartition(hash, partitions));
    }

    [Fact]
    public void ToPartition_rejects_a_partition_count_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyHash.ToPartition(1, 0));
    }

    [Fact]
    public void String_partition_lookup_does_not_allocate()
    {
        var key = "customer-0042:orders";
        _ = KeyHash.PartitionOf(key, 4096);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0;
        for (var i = 0; i < 1000; i++)
        {
            sum += KeyHash.PartitionOf(key, 4096);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(-1, sum);
    }
}
