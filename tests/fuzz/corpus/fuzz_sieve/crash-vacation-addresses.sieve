require "vacation";
vacation :addresses "zz" "I am away";
