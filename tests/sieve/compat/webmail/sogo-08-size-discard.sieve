if anyof (size :over 1M) {
    discard;
}
