// Test fixture for clrdump's portable PDB reader. Line numbers matter:
// the unit tests assert them, so edit only by appending at the end.
using System;

namespace PdbFixture
{
    public static class Sample
    {
        public static int Add(int a, int b)
        {
            int sum = a + b;
            return sum;
        }

        public static int Loop(int n)
        {
            int total = 0;
            for (int i = 0; i < n; i++)
            {
                total += i;
            }
            return total;
        }

        public static int Thrower(int x)
        {
            if (x > 0)
            {
                throw new InvalidOperationException("boom");
            }
            return x;
        }

        public static int Mapped(int x)
        {
            int y = x * 2;
#line 500 "Other.cs"
            y += 1;
#line hidden
            y += 2;
#line default
            return y;
        }
    }
}
