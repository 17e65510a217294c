if anyof (address :all :is "from" "j@sender.example", not exists ["x","y"]) { discard; } elsif allof (true, false) { keep; } else { stop; }
