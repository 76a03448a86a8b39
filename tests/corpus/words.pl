# Perl: hashes, regexes, sort, sprintf, closures, references.
use strict; use warnings;
my %count; my @list;
for my $i (1 .. 20000) {
    my $w = join "", map { chr(97 + ($i * $_) % 26) } 1 .. 5;
    $count{$w}++;
    push @list, { id => $i, word => $w } if $i % 7 == 0;
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 4];
print "distinct: ", scalar(keys %count), "\n";
print "top: @top\n";
my $text = join " ", map { $_->{word} } @list;
my $n = () = $text =~ /a\w*e/g;
print "matches: $n\n";
my @adders = map { my $k = $_; sub { $_[0] + $k } } 1 .. 10;
my $acc = 0; $acc = $_->($acc) for @adders;
printf "acc: %d list: %d\n", $acc, scalar @list;
(my $t = $text) =~ s/(\w+)/\u$1/g;
print "subst: ", substr($t, 0, 30), "\n";
exit 0;
